"""The photos app on AWS: S3 upload tickets and links, the DynamoDB Streams recorder, the
scheduled sweep, the SNS hand-off for re-dispatch, and the provisioning of it all.

Nothing here runs in the embedded mode; every module is imported only when the settings
choose S3 or the lambda runner, or by Zappa's handler in the web function.
"""
