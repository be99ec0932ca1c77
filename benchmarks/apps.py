from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """The benchmark commands (`make benchmark`) and the servers they start: measuring tools
    kept out of the product's apps. No models."""

    name = "benchmarks"
    verbose_name = "Benchmarks"
