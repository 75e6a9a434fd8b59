"""The domain of 联企通: models and use cases, independent of HTTP."""
