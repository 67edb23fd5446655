-- Threshold (t of n) trustees of end-to-end ballots (issue 18, docs/e2e.md "Threshold trustees"). A ballot
-- with a threshold has Belenios 2.0 Pedersen trustees: the key ceremony's messages, each signed or encrypted
-- by a trustee, are relayed by the service and kept here until the ceremony is complete (or restarted).
-- NULL threshold: one key per trustee, as before.
ALTER TABLE e2e_ballots ADD COLUMN threshold INTEGER;
-- When every verification output is in: threshold.json (the Pedersen entry of the election's trustees).
ALTER TABLE e2e_ballots ADD COLUMN threshold_params TEXT;
-- Step 1: the trustee's certificate (its verification and encryption keys, signed).
ALTER TABLE e2e_trustees ADD COLUMN certificate TEXT;
-- Step 3: the signed commitments and the shares encrypted to each trustee.
ALTER TABLE e2e_trustees ADD COLUMN polynomial TEXT;
-- Step 5: the verification key with its proof, and the decryption key encrypted to the trustee itself.
-- (The verification key is also copied into public_key: partial decryptions are checked against it.)
ALTER TABLE e2e_trustees ADD COLUMN voutput TEXT;
