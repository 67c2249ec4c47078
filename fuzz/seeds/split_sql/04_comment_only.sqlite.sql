0-- This migration is intentionally empty;
/* nothing;
   to do */
-- end
