DROP TABLE "jwks";
