ALTER TABLE e2e_trustees DROP COLUMN voutput;
ALTER TABLE e2e_trustees DROP COLUMN polynomial;
ALTER TABLE e2e_trustees DROP COLUMN certificate;
ALTER TABLE e2e_ballots DROP COLUMN threshold_params;
ALTER TABLE e2e_ballots DROP COLUMN threshold;
