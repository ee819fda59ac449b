DROP TABLE "message";
DROP TABLE "conversation";
DROP TABLE "task";
