-- erasure: keyed hashes of erased addresses (filled in by the change that adds them)
SELECT 1;
