-- PostgreSQL schema version 8 (the SQLite backend's version 18,
-- src/store/sqlite/schema_chat_cursor.sql): where each destination's
-- reading of the chat stands.
--
-- A destination that opens a room per incident reads what is said there
-- (`!note …`, a ⏱ reaction) into the timeline; it keeps the chat's own
-- token for its place (a Matrix sync token), so a deliverer that stops
-- reads on from there, and every message is read (and, by `chat_seen`,
-- recorded once).
ALTER TABLE deliveries ADD COLUMN chat TEXT COLLATE "C";
