import pickle

# Trains models/churn.pkl from data/customers.csv (demo placeholder)
