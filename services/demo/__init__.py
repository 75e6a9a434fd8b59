"""The demo data of API.md, loaded by `flask seed-demo` on an empty database."""

from services.demo.loader import load

__all__ = ["load"]
