"""Constants shared by the tests."""

TEST_EMAIL = "user@example.com"
TEST_PASSWORD = "correct-horse"
