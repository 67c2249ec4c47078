;;
  ;  -- nothing here
;SELECT 1;;
;
