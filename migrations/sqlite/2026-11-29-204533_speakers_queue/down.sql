DROP TABLE speaker_requests;
DROP TABLE speaker_settings;
