"""The demo: a generated French consumer forum, a sample phpBB forum, and `veille demo`.

Outside the pipeline's packages: it drives them (and starts the dashboard) the way a user
would, and nothing of Veille's stages imports it.
"""
