"""The shared kernel of the essay platform: written once, used by all six services."""
