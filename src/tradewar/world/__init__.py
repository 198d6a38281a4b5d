"""The baseline economy: the World, its readers and writers, aggregation, balancing, default data."""
