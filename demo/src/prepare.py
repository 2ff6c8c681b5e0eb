# Builds data/features.csv from data/customers.csv (demo placeholder)
