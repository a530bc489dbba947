-- Runs once, when the mysql container starts on an empty data volume.
-- One database per SQL store; each service migrates its own schema at start-up.
CREATE DATABASE IF NOT EXISTS rooms CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;
CREATE DATABASE IF NOT EXISTS clients CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;
CREATE DATABASE IF NOT EXISTS sagas CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;
