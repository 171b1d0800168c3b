-- two-factor sign-in (filled in by the change that adds them)
SELECT 1;
