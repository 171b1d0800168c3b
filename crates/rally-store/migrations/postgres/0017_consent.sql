-- consent records and privacy notices (filled in by the change that adds them)
SELECT 1;
