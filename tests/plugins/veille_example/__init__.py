"""A third-party package extending Veille, one module per extension kind.

It is not one of Veille's packages: the tests put this directory on the path of a child
Python, whose importlib.metadata then finds `veille_example-0.1.dist-info` and its entry
points, exactly as for a package installed with pip. The modules are the worked examples
of README.md's "Extending Veille".
"""
