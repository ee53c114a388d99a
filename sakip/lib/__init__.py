"""Helpers shared by the apps; not an app itself."""
