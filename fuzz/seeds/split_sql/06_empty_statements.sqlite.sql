0;;
  ;  -- nothing here
;SELECT 1;;
;
