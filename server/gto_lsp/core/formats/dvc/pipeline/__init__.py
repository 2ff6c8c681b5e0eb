"""dvc.yaml's pipeline: stages, vars, params, metrics, plots and datasets, checked as DVC 3.67.1 reads them."""
