-- Each user's profile: the JSON object of the official fields set, and when it last changed.
ALTER TABLE users ADD COLUMN profile TEXT NOT NULL DEFAULT '{}';
ALTER TABLE users ADD COLUMN profile_time BIGINT NOT NULL DEFAULT 0;
