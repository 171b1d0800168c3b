-- retention rules (filled in by the change that adds them)
SELECT 1;
