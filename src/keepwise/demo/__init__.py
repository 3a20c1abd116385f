"""A deterministic, realistic demo company (customers, orders, service, follow-ups, churn) for
trying Keepwise out, for tests and for benchmarks."""

from keepwise.demo.generator import KINDS, generate_company, write_company

__all__ = ["KINDS", "generate_company", "write_company"]
