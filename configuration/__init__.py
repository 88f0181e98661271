"""Typed configuration: one schema module per YAML file, the settings table, the loader.

It imports only `records` of Veille: the crawlers, the NLP stage and the store read
their part of a validated `VeilleConfig`, and extension kinds (source kinds, for now)
come from registries filled through entry points, never from imports of their packages.
"""
