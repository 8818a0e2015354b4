route53_weight = 100
