DROP TABLE login_flows;
DROP TABLE app_passwords;
DROP TABLE server_secrets;
