"""The faces of the product: the `pmo` command line (and, later, the HTTP API)."""
