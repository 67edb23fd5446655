DROP TABLE ballot_box;
