-- Where a participant stands six months after exit (the exit categories, or no news), the day
-- it was learnt and from whom (the participant, the employer, France Travail…): what networks of
-- facilitateurs report each year. Nothing else about the person.
ALTER TABLE participants ADD COLUMN six_month_situation TEXT;
ALTER TABLE participants ADD COLUMN six_month_on DATE;
ALTER TABLE participants ADD COLUMN six_month_source TEXT;
