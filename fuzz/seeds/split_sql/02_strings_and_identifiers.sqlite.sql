0INSERT INTO notes (body) VALUES ('one; two'), ('it''s; fine'), ('-- not a comment; /* nor this */');
CREATE TABLE "odd;name" ([semi;colon] TEXT, `back;tick` TEXT, "say ""hi"";" TEXT);
SELECT x'3b', 'a;b' || "odd;name".[semi;colon] FROM "odd;name";
