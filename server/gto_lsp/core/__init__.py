"""The pure core: parse, check and edit artifacts.yaml; read .gto; ask git. Never imports pygls."""
