"""Alert rules (a small registry of rule types) and the stage that applies them."""
