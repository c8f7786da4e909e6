DROP TABLE brute_force_attempts;
