-- Read views and a trigger keeping updated_at current.
CREATE VIEW IF NOT EXISTS v_active_notes AS
  SELECT n.id, n.title, b.title AS notebook
  FROM notes n
  JOIN notebooks b ON b.id = n.notebook_id
  WHERE n.archived_at IS NULL;

CREATE VIEW IF NOT EXISTS v_tag_counts AS
  SELECT t.id, t.name, count(nt.note_id) AS notes
  FROM tags t
  LEFT JOIN note_tags nt ON nt.tag_id = t.id
  GROUP BY t.id, t.name;

CREATE TRIGGER IF NOT EXISTS trg_notes_touch AFTER UPDATE OF title, body ON notes
BEGIN
  UPDATE notes SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id;
END;
