"""Stages, store, scheduler, alerts and CLI of Veille."""
