from .base import AgentCheck  # noqa: F401

__all__ = ['AgentCheck']
