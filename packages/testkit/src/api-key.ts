/** The API key tests configure; assert it never appears in any output. */
export const TEST_API_KEY = 'sk_test_SIGHTLINE_SECRET_0123456789';
