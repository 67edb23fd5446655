DROP TABLE e2e_cast;
DROP TABLE e2e_credentials;
DROP TABLE e2e_trustees;
DROP TABLE e2e_ballots;
