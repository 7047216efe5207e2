DROP FUNCTION sort_key(text);
DROP FUNCTION fold(text);
