DROP TABLE ballot_officers;
DROP TABLE conference_chairs;
