# Scores models/recommender.pt into reports/metrics.json (demo placeholder)
