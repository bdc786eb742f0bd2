#!/usr/bin/env bash
# Sends ECS's task state changes of one cluster to an SQS queue the operator reads
# (--task-events-queue, or the chart's taskEvents.queueUrl). Run once per account and region,
# with ACCOUNT, REGION and CLUSTER set; needs sqs:CreateQueue, sqs:SetQueueAttributes,
# events:PutRule and events:PutTargets.
set -euo pipefail
: "${ACCOUNT:?}" "${REGION:?}" "${CLUSTER:?}"
here=$(cd "$(dirname "$0")" && pwd)
queue=iiif-aws-task-events
rule=iiif-aws-task-events

fill() { sed -e "s/ACCOUNT/$ACCOUNT/g" -e "s/us-east-1/$REGION/g" -e "s#cluster/iiif#cluster/$CLUSTER#g" "$1"; }

url=$(aws sqs create-queue --region "$REGION" --queue-name "$queue" \
  --attributes MessageRetentionPeriod=3600 --query QueueUrl --output text)
policy=$(fill "$here/queue-policy.json" | python3 -c 'import json,sys; print(json.dumps({"Policy": json.dumps(json.load(sys.stdin))}))')
aws sqs set-queue-attributes --region "$REGION" --queue-url "$url" --attributes "$policy"
aws events put-rule --region "$REGION" --name "$rule" --event-pattern "$(fill "$here/event-pattern.json")"
aws events put-targets --region "$REGION" --rule "$rule" \
  --targets "Id=iiif-aws,Arn=arn:aws:sqs:$REGION:$ACCOUNT:$queue"
echo "queue: $url"
