-- `list --all` (and every listing without a status): one pass per severity
-- level in declaration order, straight from this index, with no sort.
CREATE INDEX incidents_by_severity ON incidents (severity, declared_at);
