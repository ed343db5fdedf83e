"""Post-deploy verification (``make verify ENV=<env>``): is the serving layer up and highly
available, from AWS's own view (ELBv2 and EC2 APIs via boto3), compared with the stack's outputs."""
