DROP TABLE companies;
DROP TABLE buyer_departements;
DROP TABLE buyers;
