"""Dashboard pages: one module per page, each with one function that renders its body."""
