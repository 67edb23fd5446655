DROP TABLE poll_items;
