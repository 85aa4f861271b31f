"""PostgreSQL as the shared store of record for a deployment past one machine."""
