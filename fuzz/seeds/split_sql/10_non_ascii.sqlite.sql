0-- Données: café € 😀;
INSERT INTO t (s) VALUES ('é€;😀'); INSERT INTO "tablé" (s) VALUES ('ü');
   /* 日本語; */ SELECT 'ok€' AS "résumé";
