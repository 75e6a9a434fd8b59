"""Marshmallow schemas: shape only, one module per resource."""
